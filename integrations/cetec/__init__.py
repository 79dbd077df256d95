"""CETEC ERP (CONTRACT 5.3): a proxy for `GET {CETEC_URL}/api/customer` that keeps the preshared token on
this server, drops `techx_password`, returns only customers that are ok to bill, and tells for each one
whether its backup database exists on CETEC_MYSQL_URL.

- `client`: the HTTP client (columns, flags, the upstream call).
- `mysql`: the backup-database server: settings, database names, one batched check, the status probe.
- `selectors`: the lookup the API and the page share (customers + metadata).
"""
