"""The built-in demo LMS: a real LTI 1.3 platform (``lti1p3platform``) to try Peerlearn."""
