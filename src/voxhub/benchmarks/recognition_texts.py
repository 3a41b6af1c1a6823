"""Sentences and phrases spoken to the recognizer in the recognition benchmark."""

from __future__ import annotations

# everyday and news Mandarin without digits or Latin letters, so only recognition is judged
CHINESE = (
    "今天下午图书馆要闭馆检修，请大家提前还书。",
    "小区门口新开了一家面包店，早上总是飘着香味。",
    "气象台提醒市民，明天有大风，出门注意安全。",
    "她每天骑车上班，觉得这样既省钱又锻炼身体。",
    "这座老桥已经修好了，周末可以从桥上走过去。",
    "博物馆最近展出了一批古代瓷器，吸引了很多游客。",
    "孩子们放学以后在操场上踢足球，一直玩到天黑。",
    "市政府决定在河边修建一条新的步行道。",
)
ENGLISH = (
    "The train to the city was delayed because of snow on the tracks.",
    "My brother bought a used car and drove it to the coast last weekend.",
    "The city council voted to build a new park beside the old factory.",
    "Please close the window before you go to bed tonight.",
    "Farmers in the valley expect a good harvest after the warm spring.",
    "She left a note on the kitchen table saying she would be home late.",
    "The school will hold a concert for parents at the end of the month.",
    "Heavy rain flooded several streets in the town center this morning.",
)
TEXTS = {"zh": CHINESE, "en": ENGLISH}

# replies too short for language detection to have much to go on
SHORT = {
    "zh": ("好的", "谢谢你", "没问题", "再见", "请稍等", "对不起"),
    "en": ("yes", "thank you", "no problem", "good morning", "see you later", "excuse me"),
}

# (sentence, the rare name or term in it); a general model seldom writes these right unaided
HOTWORDS = {
    "zh": (
        ("历史课上，老师讲了司马懿和曹操之间的故事。", "司马懿"),
        ("我最近在读欧阳修的散文，文字非常优美。", "欧阳修"),
        ("纳兰性德的词写得很深情，很多人都喜欢。", "纳兰性德"),
        ("每到冬天，鄱阳湖上都会飞来成群的候鸟。", "鄱阳湖"),
    ),
    "en": (
        ("Tonight the orchestra will play a symphony by Tchaikovsky.", "Tchaikovsky"),
        ("Our team moved all of its services to Kubernetes this year.", "Kubernetes"),
        ("He spent the whole summer reading books by Nietzsche.", "Nietzsche"),
        ("We are planning a short trip to Reykjavik in the winter.", "Reykjavik"),
    ),
}
