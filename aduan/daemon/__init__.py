"""The daemon: the scheduler that polls channels and runs the pipeline's jobs
(:mod:`.scheduler`, :mod:`.jobs`, the adapters :mod:`.normalize_job` and
:mod:`.triage_jobs`), the polling itself (:mod:`.ingest`), the replicas' leases
(:mod:`.lease`) and the web app it serves with its route groups (:mod:`.app`)."""
