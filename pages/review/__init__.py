"""The year's review: the report (/report), its slides (/present), the PowerPoint deck and the PDF."""
