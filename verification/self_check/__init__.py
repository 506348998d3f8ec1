"""`--self-check`: prove an installed (or frozen) CallShield can do its work, part by part."""
