"""The five roles and what scope each needs."""

from enum import Enum


class Role(str, Enum):
    CITY_ADMIN = "city_admin"
    CITY_INSPECTOR = "city_inspector"
    COUNTY_TEAM = "county_team"
    SITE_MANAGER = "site_manager"
    DEPARTMENT = "department"


ROLE_NAMES = {
    Role.CITY_ADMIN: "市级管理员",
    Role.CITY_INSPECTOR: "市级督导员",
    Role.COUNTY_TEAM: "县级专班",
    Role.SITE_MANAGER: "安置点负责人",
    Role.DEPARTMENT: "行业部门",
}

#: the city side: sees every county; plans of unannounced visits are theirs
CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_INSPECTOR})
#: the inspected side: must never learn of a planned visit before it happens
INSPECTED_ROLES = frozenset({Role.COUNTY_TEAM, Role.SITE_MANAGER, Role.DEPARTMENT})
