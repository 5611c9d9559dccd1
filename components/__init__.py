"""Pieces two or more pages share: the URL's view state (params), layout pieces and banners (ui),
KPI cards and the rate rule (kpi), words (i18n), number formats (formatting), colours and figure
layout (theme), downloads (download), blocks drawn when scrolled into view (lazy). A page's own views live in its folder under pages/."""
