"""The domain of a realist review, in plain Python.

Nothing here imports storage, web or CLI code (a test walks the imports to keep it so).
Modules follow the flow of a review: review and search, records, screening, documents and
interventions, appraisal, programme theory, coding, and the event log.
"""
