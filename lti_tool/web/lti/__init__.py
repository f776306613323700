"""LTI pages: login, launch, our key set and configuration, dynamic registration,
Platform Storage fallbacks and the deep-linking activity picker. URL rules in
:mod:`.blueprint`."""
