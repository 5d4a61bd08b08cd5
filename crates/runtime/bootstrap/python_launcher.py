"""Starts samwise's Python runtime client, samwise_runtime_client.py beside this file.

The client is imported rather than run as a script so that Python keeps its compiled form in
__pycache__: compiling it anew on every invocation cost about 10 ms of start-up.
"""

import samwise_runtime_client

samwise_runtime_client.main()
