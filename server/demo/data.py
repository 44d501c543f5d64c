"""The fixed parts of the demo: real county names and codes, invented sites.

The sites below are INVENTED for demonstration; their names, positions and
populations are made up (positions lie near the real county seats, WGS-84).
"""

#: (name, administrative code, lat, lon of the county seat, approx.)
COUNTIES = [
    ("盐湖区", "140802", 35.027, 111.007),
    ("临猗县", "140821", 35.144, 110.774),
    ("万荣县", "140822", 35.415, 110.838),
    ("闻喜县", "140823", 35.357, 111.224),
    ("稷山县", "140824", 35.600, 110.983),
    ("新绛县", "140825", 35.616, 111.225),
    ("绛县", "140826", 35.491, 111.568),
    ("垣曲县", "140827", 35.297, 111.670),
    ("夏县", "140828", 35.141, 111.220),
    ("平陆县", "140829", 34.837, 111.218),
    ("芮城县", "140830", 34.694, 110.694),
    ("永济市", "140881", 34.867, 110.447),
    ("河津市", "140882", 35.597, 110.712),
]

DEPARTMENTS = [
    ("zhujian", "住房和城乡建设局"),
    ("xiaofang", "消防救援大队"),
    ("jiaoyu", "教育局"),
    ("weijian", "卫生健康局"),
    ("renshe", "人力资源和社会保障局"),
    ("nongye", "农业农村局"),
    ("minzheng", "民政局"),
    ("xiangcun", "乡村振兴局"),
    ("gongan", "公安局"),
    ("yiban", "易地搬迁后续扶持专班"),
    ("shuili", "水利局"),
    ("yiliao_baozhang", "医疗保障局"),
    ("fazhan", "发展和改革局"),
    ("yingji", "应急管理局"),
    ("shangwu", "商务局"),
    ("shichang", "市场监督管理局"),
    ("zuzhi", "组织部"),
    ("ziran", "自然资源局"),
]

TOWNSHIP_SUFFIXES = ["镇", "乡", "街道"]
SITE_WORDS = ["幸福", "康居", "安康", "和谐", "新村", "阳光", "福源", "惠民", "兴盛", "同心", "红旗", "美丽"]

DEMO_PASSWORD = "ducha-demo-2026"

#: pinyin user names of the county teams (县级专班), one per county
COUNTY_USERS = {
    "盐湖区": "yanhu", "临猗县": "linyi", "万荣县": "wanrong", "闻喜县": "wenxi", "稷山县": "jishan", "新绛县": "xinjiang",
    "绛县": "jiangxian", "垣曲县": "yuanqu", "夏县": "xiaxian", "平陆县": "pinglu", "芮城县": "ruicheng",
    "永济市": "yongji", "河津市": "hejin",
}


def county_username(county: str) -> str:
    return COUNTY_USERS[county]


#: (username, display name, role, county name or None, department code or None, site: True = the first demo site of the county)
USERS = [
    ("admin", "市易迁办管理员（演示）", "city_admin", None, None, False),
    ("inspector", "市督导组 王督导（演示）", "city_inspector", None, None, False),
    ("inspector2", "市督导组 李督导（演示）", "city_inspector", None, None, False),
    *[(name, f"{county}专班（演示）", "county_team", county, None, False) for county, name in COUNTY_USERS.items()],
    ("site", "安置点负责人（演示）", "site_manager", "盐湖区", None, True),
    ("fire", "盐湖区消防大队（演示）", "department", "盐湖区", "xiaofang", False),
]
