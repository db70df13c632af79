"""`python build.py serve`: build, serve the site as GitHub Pages would, rebuild and reload.

One room a job:

- `watch`: which files are inputs, and a `watchfiles` (inotify) watcher over them that hands
  each batch of changed paths to the loop;
- `schedule`: a burst of saves becomes one build (quiet period, writes already built dropped);
- `pages`: the HTTP side, answering through `factsheet.github_pages` (the one URL model);
- `overlay`: what is added to a page at serve time (the live-reload script, the error panel);
- `reload`: livereload's WebSocket, guarded against other sites, reloading only the tabs
  whose page changed;
- `restart`: a change to the generator's own code re-executes the server process;
- `failures`: a failed build as `path:line: message` lines;
- `state`: what requests and the loop share, and the Host/Origin guard;
- `loop`: the build loop and `serve()` itself.

livereload supplies the browser side (its WebSocket protocol and livereload.js); nothing this
package adds ever lands in a built file.
"""

from .loop import serve
from .overlay import LIVE_SCRIPT, inject

__all__ = ["LIVE_SCRIPT", "inject", "serve"]
