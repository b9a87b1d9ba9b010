"""The use cases of a review. The CLI and the web call these and nothing below them.

Each function that changes the review runs in one transaction and appends an event.
"""
