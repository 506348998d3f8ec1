"""Admin policy: schema (pydantic), default, migrations, signing, weakening checks, evaluation."""
