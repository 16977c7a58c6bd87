/* Live updates over Server-Sent Events: an enhancement, never a requirement.
   Pages that carry data-live-url open one EventSource. The server renders every post
   for this viewer exactly as the page would (visibility, pseudonyms, controls); this
   script only places the fragment. EventSource reconnects by itself with the last
   event id, and the server resumes from it, so nothing is missed or repeated. */
(function () {
  "use strict";

  function announcer() {
    var region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
    return function (text) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = text; }, 50);
    };
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild;
  }

  function placePost(section, data, appendNew) {
    var fresh = fragment(data.html);
    var existing = document.getElementById("post-" + data.id);
    if (existing) {
      existing.replaceWith(fresh);
      return false;
    }
    if (!appendNew) {
      return false;
    }
    var articles = section.querySelectorAll("article.post");
    var empty = section.querySelector(".no-posts");
    if (articles.length) {
      articles[articles.length - 1].after(fresh);
    } else if (empty) {
      empty.replaceWith(fresh);
    } else {
      section.appendChild(fresh);
    }
    return true;
  }

  function showStage(data) {
    var main = document.getElementById("main");
    var notice = document.createElement("p");
    var link = document.createElement("a");
    notice.className = "notice live-notice";
    notice.textContent = data.text + " ";
    link.href = data.url;
    link.textContent = data.link;
    notice.appendChild(link);
    main.insertBefore(notice, main.firstChild);
  }

  function start() {
    var host = document.querySelector("[data-live-url]");
    if (!host || !window.EventSource) {
      return;
    }
    var say = announcer();
    var appendNew = host.hasAttribute("data-live-append");
    var source = new EventSource(host.getAttribute("data-live-url"));
    source.addEventListener("post", function (event) {
      var data = JSON.parse(event.data);
      if (placePost(host, data, appendNew)) {
        say("1 new post");
      }
    });
    source.addEventListener("stage", function (event) {
      var data = JSON.parse(event.data);
      showStage(data);
      say(data.text);
    });
    source.addEventListener("screen", function (event) {
      host.replaceChildren(fragment(JSON.parse(event.data).html));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
