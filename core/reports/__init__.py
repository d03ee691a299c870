"""Reports: the dashboard's figures and the CSV exports, read from the orders, customers and
products as they are."""
