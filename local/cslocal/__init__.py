"""The Docker-free local stack: embedded AWS (moto), resources and functions from
template.yaml, an API Gateway stand-in, and the event sources (SQS, S3, schedules).

Development and test tooling only: nothing here is shipped to Lambda.
"""
