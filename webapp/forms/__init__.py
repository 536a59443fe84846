"""Task forms: declarative definitions (forms/*.yaml), their catalog, and validation."""
