"""Read published annual reports (text, PDF, DOCX, HTML) back into the form."""
