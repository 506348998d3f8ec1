"""Alembic migration scripts, shipped inside the package so an installed app migrates at open."""
