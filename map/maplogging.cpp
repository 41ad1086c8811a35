#include "maplogging.h"

Q_LOGGING_CATEGORY(lcMap, "tracemap.map", QtWarningMsg)
Q_LOGGING_CATEGORY(lcMapTiles, "tracemap.map.tiles", QtWarningMsg)
