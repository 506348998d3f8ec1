"""The Requests tab: create a transfer request and record the out-of-band steps its policy requires."""
