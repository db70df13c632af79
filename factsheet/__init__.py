"""Far Side's static-site generator: Markdown and YAML facts through Jinja into a static site."""
