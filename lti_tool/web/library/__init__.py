"""The course library's pages, one feature web package.

``blueprint.py`` holds every address; ``context.py`` opens a page's context (the launch,
its course, the item as the viewer may see it); ``forms.py`` reads every form and query
string; the view modules are named by what the person does (``browse``, ``items``,
``files``, ``history``, ``discussion``, ``notifications``, ``topic_requests``,
``flags``, ``moderation``, ``sharing``) and each view calls one operation of
:mod:`lti_tool.library`. ``registration.register_library`` is the one call the app makes.
(Nothing is imported here, so the package's modules import each other without a
circle through it.)
"""
