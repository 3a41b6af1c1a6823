#!/usr/bin/env bash
# restart the background voxhub service (settings from VOXHUB_* or the GLM-TTS variable names)
set -euo pipefail
exec voxhub restart "$@"
