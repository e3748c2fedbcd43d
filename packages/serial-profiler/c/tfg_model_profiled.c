/*
 * The generated model with the profiler's layer hooks: a model source defines its TINYFORGE_LAYER_BEGIN/END hooks
 * as nothing unless tfg_profile.h comes first. Profiled firmware compiles this file instead of the model's own
 * (TFG_APP_MODEL_SOURCE in the generated tfg_app_model.h names it).
 */
#include "tfg_profile.h"
#include "tfg_app_model.h"
#include TFG_APP_MODEL_SOURCE
