"""The Approvals tab: held requests for the signed-in approver; approve or reject with a comment."""
