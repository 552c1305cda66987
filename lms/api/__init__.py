"""JSON API v1: bearer-token authentication, JSON errors, an OpenAPI document that matches the routes."""
