"""The REST API for learning management systems: programmes, learners, assessments, awards.

Serializers only translate between JSON and the services' arguments; views stay thin and call
credentials.services (writes) and credentials.selectors (reads) with the API client's service
account as the actor, so the services' permission checks and audit trail apply unchanged.
"""
