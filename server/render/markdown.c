#include "render/markdown.h"
