"""Running patentdesk in production: the settings file, structured logs, progress of long jobs,
backup and restore, and `patentdesk doctor`."""
