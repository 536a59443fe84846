"""The worker process: fires due timers, sends deadline notices and delivers mail (`meldroute worker`)."""
