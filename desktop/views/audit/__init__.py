"""The Audit tab: the signed audit log, its integrity check, and evidence pack export."""
