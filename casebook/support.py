"""The support organisations signposted beside every case and on the support page."""

from dataclasses import dataclass
from pathlib import Path

import yaml

from casebook.paths import PACKAGE_DIR

DEFAULT_FILE = PACKAGE_DIR / "data" / "support-uk.yaml"
_FIELDS = ("name", "for", "phone", "email", "url", "other", "kind")
# A reporting channel is not someone to talk to, so the panel lists the two apart.
KINDS = ("help", "report")


@dataclass(frozen=True)
class SupportOrganisation:
    name: str
    for_whom: str
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    other: str | None = None
    kind: str = "help"

    @property
    def tel(self) -> str | None:
        return "tel:" + self.phone.replace(" ", "") if self.phone else None


def load_support(path: str | Path | None) -> list[SupportOrganisation]:
    """Read the list, failing loudly at start-up: a wrong panel is worse than none."""
    source = Path(path) if path else DEFAULT_FILE
    try:
        entries = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: invalid YAML: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: must be a non-empty list of organisations")
    organisations = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("for"):
            raise ValueError(f"{source}: entry {index + 1} needs at least 'name' and 'for'")
        unknown = set(entry) - set(_FIELDS)
        if unknown:
            raise ValueError(f"{source}: entry {index + 1} has unknown fields {sorted(unknown)}")
        url = entry.get("url")
        if url and not str(url).startswith("https://"):
            raise ValueError(f"{source}: entry {index + 1} url must start with https://")
        kind = entry.get("kind", "help")
        if kind not in KINDS:
            raise ValueError(f"{source}: entry {index + 1} kind must be one of {', '.join(KINDS)}")
        organisations.append(SupportOrganisation(
            name=str(entry["name"]), for_whom=str(entry["for"]),
            phone=str(entry["phone"]) if entry.get("phone") else None,
            email=entry.get("email"), url=url, other=entry.get("other"), kind=kind,
        ))
    return organisations
