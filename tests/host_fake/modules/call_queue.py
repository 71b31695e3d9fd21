"""Stand-in for modules/call_queue.py: the lock generation and reloads share."""

import threading

queue_lock = threading.Lock()
