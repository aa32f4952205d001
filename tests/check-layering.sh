#!/bin/sh
# Modules include only what lies below them (STYLE.md, "Layout"):
# util <- spec <- state <- bus <- launch <- container.c <- cmd. util, spec and state never see bus,
# launch, container or cmd; bus never sees launch; launch never sees state or bus.
cd "$(dirname "$0")/../src" || exit 1
echo 1..1
bad=$(
  grep -HnE '#include "(spec|state|bus|launch|cmd)/|#include "container.h"' util/*.[ch]
  grep -HnE '#include "(state|bus|launch|cmd)/|#include "container.h"' spec/*.[ch]
  grep -HnE '#include "(spec|bus|launch|cmd)/|#include "container.h"' state/*.[ch]
  grep -HnE '#include "(state|launch|cmd)/|#include "container.h"' bus/*.[ch]
  grep -HnE '#include "(state|bus|cmd)/|#include "container.h"' launch/*.[ch]
  grep -HnE '#include "cmd/' container.[ch]
)
if [ -n "$bad" ]; then
  echo "$bad" | sed 's/^/# include against the layering: /'
  echo "not ok 1 - layering"
  exit 1
fi
echo "ok 1 - layering"
