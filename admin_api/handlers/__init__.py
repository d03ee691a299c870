"""Request handlers by feature: each gets a checked :class:`admin_api.contract.Call`,
calls one core service and answers."""
