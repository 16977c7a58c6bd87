"""Operations on the whole database: backup, restore and integrity checks."""
