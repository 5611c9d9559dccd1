"""Web concerns around the pages: sign-in and access scope, security headers, faults and /healthz, the app frame, the cache warm-up."""
