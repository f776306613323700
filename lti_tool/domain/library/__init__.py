"""The course content library's rules: item kinds and fields, video providers, topics,
versions and who may do what. Plain Python: the app's operations apply them."""
