"""What every HTTP request shares, whichever front door serves it: browser sessions, rate
limits, the page cache, the language of the answer and the health check."""
