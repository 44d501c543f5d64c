"""Ledgers (台账): the issue, rectification, closure and work ledgers and the one-visit report, as
PDF and XLSX, rendered in a separate process; submissions (报送) to the city office."""
