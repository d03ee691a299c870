"""Digital goods: pools of unique keys and files, sent in the chat once an order is paid."""
