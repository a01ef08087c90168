"""The one definition of every figure the product shows.

The office dashboard, the leader's home, the drill-down, the formalism signals and the
weekly report read these functions and nothing else, so they cannot disagree. Each figure
is counted over a unit's subtree for a campaign and a :class:`dashboard.periods.Period`
(the dashboard: this week as of today; the weekly report: its week as of its Sunday), in
a fixed number of queries whatever the size of the subtree. Where a figure could be read
two ways, the module of its workstream says which way it is read:

- :mod:`.assignments`: 完成率 (accepted of those due so far) and 进度 (accepted of all);
- :mod:`.activities`: activities held, by week, study and development;
- :mod:`.research`: the leaders' compliance, reports and decisions;
- :mod:`.rectification`: problems found, closed (销号率), overdue, stale;
- :mod:`.development`: development items;
- :mod:`.units`: the same figures for each unit one level down, and the lagging score;
- :mod:`.signals`: the formalism signals.

Dependencies point one way: these modules read the workstream apps' models and selectors;
no workstream app imports ``dashboard``.
"""
