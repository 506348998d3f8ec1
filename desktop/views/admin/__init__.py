"""The Admin tab: policy, directory, users and models."""
