"""Sentences no test speaks, for judging voices by how well their speech is understood."""

from __future__ import annotations

# everyday Mandarin without numbers or Latin letters (normalization is measured on its own)
CHINESE = (
    "春天来了，公园里的花都开了，孩子们在草地上放风筝。",
    "请把桌子上的文件整理好，然后交给办公室的王老师。",
    "这家餐厅的面条很有名，每天中午都有很多人排队。",
    "他一边听音乐一边看书，完全没有注意到外面下雨了。",
    "我们明天早上出发去海边，记得带上帽子和防晒霜。",
    "妈妈在厨房里包饺子，爸爸在客厅里看新闻。",
    "这条小路通向山顶，路边长满了野花和青草。",
    "如果你有任何问题，可以随时给我打电话。",
    "冬天的晚上，我们一家人围在一起吃火锅。",
    "老师表扬了认真完成作业的同学，大家都很高兴。",
    "地铁站里人很多，大家排着队慢慢往前走。",
    "她养了一只白色的小猫，每天都给它梳毛。",
    "这本小说讲的是一个年轻人离开家乡去大城市打拼的故事。",
    "医生建议他多喝水，早点睡觉，少吃油腻的东西。",
    "周末的时候，我喜欢去书店看看有没有新书。",
    "秋天的树叶变黄了，风一吹就纷纷落下来。",
    "我们的航班因为天气原因推迟了，只能在机场等待。",
    "爷爷每天早上都去河边散步，顺便买一份报纸。",
    "这个问题比较复杂，我们需要再讨论一下。",
    "他把自行车停在楼下，然后跑上楼去找朋友。",
    "超市里的水果很新鲜，苹果和香蕉都在打折。",
    "经过大家的努力，这个项目终于按时完成了。",
)
ENGLISH = (
    "The library closes early on weekends, so plan your visit in the morning.",
    "She carried the heavy boxes up the stairs without asking anyone for help.",
    "Fresh bread from the corner bakery is the best part of my day.",
    "Our neighbors painted their fence bright yellow during the summer holiday.",
    "Please remind me to water the plants before we leave for the airport.",
    "The museum opened a new exhibition about ancient maps and the sailors who drew them.",
    "He forgot his umbrella at the office and walked home in the rain.",
    "Could you send me the report by the end of the afternoon?",
    "The children built a small castle out of sand near the water.",
    "After dinner, we sat on the porch and listened to the crickets.",
    "The doctor told him to rest his knee for a few weeks.",
    "A strong wind knocked over the flower pots on the balcony last night.",
    "My sister is learning to play the violin, and she practices every evening.",
    "The restaurant was so busy that we had to wait for a table.",
    "Turn left at the bakery, and the post office is on your right.",
    "We watched the sun rise over the mountains from the top of the hill.",
    "The new bridge will make the trip across the river much shorter.",
    "He keeps a small notebook in his pocket for writing down ideas.",
    "The meeting was moved to the large room on the third floor.",
    "Our cat sleeps on the windowsill whenever the sun comes out.",
    "They planted tomatoes, beans and lettuce in the garden this spring.",
    "The old clock in the hallway still keeps perfect time.",
)
# English sentences inside Chinese text, each scored against the same sentence alone
MIXED = (
    ("会议马上开始。", ENGLISH[0], "大家请安静。"),
    ("他笑着对我们说了一句话。", ENGLISH[2], "我们都同意。"),
    ("请大家注意。", ENGLISH[4], "谢谢合作。"),
    ("她在信的最后写道。", ENGLISH[9], "读完以后我很感动。"),
    ("导游提醒大家。", ENGLISH[14], "然后就出发了。"),
)
# English names and terms inside Chinese clauses: each language's portion is scored alone
WORD_MIXED = (
    "我昨天用iPhone拍了很多照片。",
    "这个项目的代码都放在GitHub上。",
    "他每天早上都用Google查新闻。",
    "我们的服务器运行在Linux系统上。",
    "下载以后用Python打开这个文件。",
    "请在Excel表格里填写你的名字。",
    "我们开会的时候用Zoom比较方便。",
    "她在Amazon上买了一本新书。",
)
