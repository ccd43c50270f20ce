/* pb_optlen.h: the proven optimal plan length of a benchmark instance of
 * task 1 (variant, instance_id from 1), or -1 when unknown (not proven
 * within the planner's limit, or not a benchmark instance). */
#ifndef IMAGINE_PB_OPTLEN_H
#define IMAGINE_PB_OPTLEN_H

int pb_optimal_length(const char *variant, int id);

#endif
