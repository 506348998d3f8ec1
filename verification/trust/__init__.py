"""Who may be trusted for what: per-person keys, signed role grants, the organisation's pinned root, and
signed statements over a request's content. Below workflow, policy and audit; imports none of them."""
