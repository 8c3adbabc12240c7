"""gunicorn's configuration file, which it reads from the working directory on start.

It holds no server options (those stay on the command line in the Dockerfile and
docker-compose.yml); it loads Django's settings before gunicorn logs a line or forks a
worker, so a bad setting prints one `Configuration error: ...` line and exits 1. Left
to the workers, the error would come with gunicorn's start-up lines and a traceback.
"""

from config.env import load_settings_or_exit

load_settings_or_exit()
