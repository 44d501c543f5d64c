"""Issues (问题) raised by visits and other sources, and their lifecycle."""
