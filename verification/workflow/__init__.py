"""Action requests held until out-of-band confirmation is complete; users, roles and the directory."""
