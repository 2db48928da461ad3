"""Ports and their adapters: email (SES), files (S3), identity (Cognito), obligations register."""
