"""Is a message a statement worth remembering? Rules only (no model call): French first, then English.

A message is kept when it states a durable fact, plan, preference or event about the user, their
people or their group: a subject of that kind (je, on, ma fille, Paul, le code…) AND a marker of a
fact (s'appelle, habite, allergique, pars, rendez-vous, a date…). Questions, requests to the bot,
greetings, thanks, chit-chat and passing states (fatigué, faim, il pleut) are not. The cost is a few
regular expressions per message (bench/conversation.py measures it against the whole answer path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.capture.folding import fold

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?|'")

_INTERROGATIVE = {
    "quand", "ou", "comment", "pourquoi", "qui", "quoi", "quel", "quelle", "quels", "quelles", "combien",
    "lequel", "laquelle", "lesquels", "lesquelles", "est-ce", "qu'est-ce", "what", "when", "where", "who",
    "whom", "whose", "why", "how", "which", "do", "does", "did", "is", "are", "was", "were", "can", "could",
    "would", "will", "should", "shall", "have", "has", "am",
}
_ASKING_ANYWHERE = {"quoi", "combien", "pourquoi"}
_TRAILING = {"deja", "alors", "encore", "stp", "svp", "exactement", "donc", "please", "again"}
_ASKING_LAST = {"quand", "ou", "comment", "qui", "quel", "quelle", "lequel", "laquelle"}
_QUESTION_HEADS = re.compile(
    r"^(?:est[- ]ce|qu'est[- ]ce|c'est (?:quand|ou|qui|quoi|combien|comment)|tu (?:sais|te souviens|te rappelles)\b"
    r"|sais[- ]tu|te souviens[- ]tu|peux[- ]tu|tu peux|pourrais[- ]tu|tu pourrais|as[- ]tu|y a[- ]t[- ]il|il y a (?:quoi|qui)"
    r"|vous (?:savez|pouvez)|savez[- ]vous|pouvez[- ]vous|do you|can you|could you|would you)"
)
_INVERSION = re.compile(r"\w-(?:tu|vous|t-il|t-elle|t-on|il|elle|ils|elles|je)\b")
_REQUEST_HEADS = {
    "dis", "dites", "donne", "donnez", "explique", "expliquez", "raconte", "racontez", "ecris", "ecrivez",
    "redige", "traduis", "traduisez", "resume", "resumez", "cherche", "cherchez", "trouve", "trouvez",
    "montre", "montrez", "liste", "listez", "calcule", "propose", "proposez", "aide", "aidez", "fais",
    "faites", "envoie", "lis", "lisez", "rappelle-moi", "rappelle", "conseille", "conseillez", "suggere",
    "imagine", "compare", "corrige", "verifie", "tell", "give", "show", "list", "find", "write", "translate",
    "summarize", "summarise", "explain", "help", "remind", "compute", "calculate", "suggest", "search",
    "look", "check", "let's", "lets", "please", "stp", "svp",
}
_REQUEST_PHRASES = re.compile(
    r"^(?:j'aimerais (?:que tu|savoir|bien savoir)|je voudrais (?:que tu|savoir)|je veux (?:que tu|savoir)"
    r"|j'ai besoin (?:que tu|d'aide|de savoir)|i want you|i'd like you|i need you|i'd like to know|i want to know"
    r"|je me demande|i wonder|aide-moi|help me)"
)
_SOCIAL = {
    "bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "merci", "thanks", "thank", "you", "beaucoup",
    "ok", "okay", "d'accord", "dac", "super", "genial", "cool", "top", "parfait", "bravo", "bien", "tres", "bonne",
    "bon", "nuit", "journee", "soiree", "a", "plus", "bientot", "lol", "mdr", "haha", "ah", "oh", "oui", "non",
    "yes", "no", "great", "good", "nice", "night", "morning", "see", "ya", "bye", "au", "revoir", "ciao", "c'est",
    "ca", "va", "et", "toi", "vous", "je", "vais", "comment", "allez", "tu", "souvenir", "sympa", "trop", "vraiment",
    "encore", "le", "la", "les", "pour", "ta", "ton", "reponse", "gentil", "so", "much", "very", "well", "fine",
    "i'm", "am", "too", "alright", "tout", "pas", "de", "quoi", "rien", "ouais", "yep", "excellent", "impeccable",
    "nickel", "entendu", "compris", "noted", "got", "it", "perfect", "awesome", "amazing", "wow", "hmm", "euh",
    "bof", "moi", "aussi", "same", "here", "me", "the", "for", "your", "answer", "help", "salutations", "bisous",
    "'", "s", "m", "j'ai", "t'es", "es", "un", "une", "chouette", "marrant", "drole", "funny", "oups", "dommage",
}
_PASSING = re.compile(
    r"\b(?:fatigue|fatiguee|creve|crevee|epuise|epuisee|faim|soif|froid|chaud|sommeil|la flemme|m'ennuie|ennuie"
    r"|il pleut|il fait (?:beau|froid|chaud|gris|moche)|mal a la tete|je rigole|je plaisante|tired|hungry|thirsty"
    r"|bored|sleepy|it'?s raining|just kidding|vais (?:dormir|me coucher|me reposer|y aller)|go(?:ing)? to (?:bed|sleep))\b"
)
_ABOUT_BOT = re.compile(
    r"^(?:tu |t'|you |you're |ta reponse|ton |your |c'est (?:faux|juste|vrai|bien|nul|gentil|pas (?:ca|faux|vrai))"
    r"|n'importe quoi|that'?s (?:wrong|right|true|false|nice)|pas mal|bien vu|exactement|exactly|voila)"
)
_SOFT_HEAD = re.compile(
    r"^(?:(?:au fait|alors|bon|bref|sinon|tiens|d'ailleurs|juste pour info|pour info|pour ton info|fyi|by the way"
    r"|btw|oh|ah|et|aussi|also|so|well|tu sais|you know)[\s,:!]+(?:que\s+|qu'|that\s+)?)+"
)

_FIRST_PERSON = {
    "je", "j'", "moi", "on", "nous", "mon", "ma", "mes", "notre", "nos", "i", "i'm", "i've", "i'll", "i'd", "my",
    "we", "we're", "we've", "we'll", "our", "us", "me", "m'",
}
_PEOPLE = {
    "fille", "fils", "femme", "mari", "frere", "soeur", "sœur", "mere", "pere", "maman", "papa", "mamie", "papi",
    "mami", "papy", "grand-mere", "grand-pere", "oncle", "tante", "cousin", "cousine", "neveu", "niece", "copain",
    "copine", "ami", "amie", "amis", "voisin", "voisine", "voisins", "collegue", "collegues", "patron", "patronne",
    "chef", "bebe", "enfants", "enfant", "parents", "beau-pere", "belle-mere", "belle-soeur", "beau-frere",
    "parrain", "marraine", "filleul", "filleule", "compagne", "compagnon", "conjoint", "chien", "chat", "chienne",
    "chatte", "daughter", "son", "wife", "husband", "brother", "sister", "mother", "father", "mom", "mum", "dad",
    "grandma", "grandpa", "granny", "uncle", "aunt", "friend", "neighbour", "neighbor", "boss", "kids", "baby",
    "partner", "dog", "cat", "girlfriend", "boyfriend", "family", "famille",
}
_THINGS = {
    "code", "mot", "adresse", "numero", "telephone", "reunion", "rendez-vous", "rdv", "anniversaire", "fete",
    "mariage", "voyage", "vacances", "ecole", "dentiste", "medecin", "docteur", "vol", "train", "avion", "cle",
    "cles", "voiture", "appartement", "appart", "maison", "loyer", "wifi", "digicode", "plaque", "rentree",
    "spectacle", "concert", "match", "entrainement", "cours", "examen", "bac", "permis", "contrat", "salaire",
    "banque", "assurance", "mutuelle", "garage", "pediatre", "kine", "creche", "nounou", "cantine", "gardien",
    "meeting", "appointment", "birthday", "wedding", "trip", "flight", "password", "address", "phone", "school",
    "doctor", "dentist", "car", "house", "flat", "rent", "party", "exam", "class", "game", "office",
}
_MARKERS = re.compile(
    r"\b(?:s'appelle|s'appellent|m'appelle|appelle|habite|habitent|habitons|vit|vivent|vivons|travaille|travaillent"
    r"|travaillons|bosse|bossent|nee|nes|nees|ans|anniversaire|marie|mariee|maries|divorce|divorcee|pacse|enceinte"
    r"|accouche|naissance|aime|aiment|aimons|adore|adorent|adorons|deteste|detestent|prefere|preferent|preferons"
    r"|n'aime|supporte|allergique|allergiques|allergie|intolerant|intolerante|vegetarien|vegetarienne|vegan|vegane"
    r"|pars|part|partons|partent|partira|partirons|vais|va|allons|vont|irai|ira|irons|arrive|arrivons|arrivent"
    r"|rentre|rentrons|rentrent|reviens|revient|revenons|demenage|demenageons|demenagent|demenager|commence"
    r"|commencons|commencent|finit|finis|termine|terminons|rendez-vous|rdv|reunion|mariage|fete|voyage|vacances"
    r"|vol|train|examen|operation|opere|operee|est|sont|c'est|sera|seront|etait|a|ai|avons|ont|avait|achete"
    r"|adopte|perdu|change|trouve|embauche|vendu|loue|inscrit|inscrite|garde|gardons|prends|prend|prenons"
    r"|mange|mangent|boit|boivent|joue|jouent|fait|font|faisons|dois|doit|devons|veux|veut|voulons|compte"
    r"|comptons|prevois|prevoit|prevoyons|organise|organisons|invite|invitons|recu|recois|gagne|passe|passons"
    r"|named|called|lives|live|living|works|work|working|born|birthday|married|allergic|vegetarian|vegan|like|likes"
    r"|love|loves|hate|hates|prefer|prefers|leaving|leave|leaves|going|go|goes|moving|moved|move|flying|fly|flies"
    r"|meeting|appointment|wedding|trip|starts|start|started|bought|adopted|lost|got|is|are|was|were|will|have"
    r"|has|had|need|needs|plan|plans|planning)\b"
)
_DATE = re.compile(
    r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|fevrier|mars|avril|mai|juin|juillet|aout"
    r"|septembre|octobre|novembre|decembre|demain|apres-demain|week-end|weekend|prochain|prochaine|dans \d+"
    r"|\d{1,2}h\d{0,2}|\d{1,2}:\d{2}|\d{1,2}/\d{1,2}|le \d{1,2}|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|tomorrow|tonight|next week|next month|\d{4})\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+")
_FIRST_NAME = re.compile(r"^\s*([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)\b")
_STRONG = re.compile(
    r"\b(?:s'appelle|s'appellent|habite|habitent|allergique|allergiques|anniversaire|demenage|enceinte"
    r"|prefere|preferent|adore|adorent|deteste|detestent|vegetarien|vegetarienne|named|allergic|birthday|moved"
    r"|born|married|pregnant)\b"
)
_COMMON_START = {
    "le", "la", "les", "un", "une", "des", "je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles",
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur", "leurs",
    "ce", "cet", "cette", "ces", "c", "ca", "cela", "demain", "hier", "aujourd", "ici", "oui", "non",
    "merci", "bonjour", "salut", "coucou", "super", "bon", "bien", "tres", "trop", "en", "et", "mais", "donc",
    "alors", "puis", "pour", "par", "avec", "sans", "dans", "sur", "sous", "chez", "apres", "avant", "depuis",
    "finalement", "enfin", "the", "a", "an", "i", "you", "he", "she", "it", "we", "they", "my", "your", "his",
    "her", "our", "their", "this", "that", "these", "those", "today", "tomorrow", "yesterday", "yes", "no",
    "thanks", "hello", "hi", "ok", "and", "but", "so", "then", "in", "at", "for", "with", "after", "before",
    "lol", "haha", "mdr", "tout", "rien", "quand", "comment", "pourquoi", "qui", "quoi", "quel", "quelle",
}


@dataclass(frozen=True)
class Verdict:
    """Whether to remember a message, and the rule that decided (for tests and the benchmark)."""

    keep: bool
    reason: str


def words_of(folded: str) -> list[str]:
    """The words of a folded text (elided forms kept whole: j'ai, c'est)."""
    return _WORD.findall(folded)


def _first_name(text: str) -> bool:
    """Whether the message starts with a capitalised word that is not an everyday word (Léa, Nadia)."""
    match = _FIRST_NAME.match(text)
    return bool(match) and fold(match.group(1)) not in _COMMON_START


def is_question(text: str) -> bool:
    """A question, in French or English, with or without its question mark."""
    stripped = text.strip()
    if stripped.endswith("?") or "?" in stripped[-3:]:
        return True
    folded = _SOFT_HEAD.sub("", fold(stripped))
    words = words_of(folded)
    if not words:
        return False
    inverted = _INVERSION.search(folded.replace("rendez-vous", "rdv"))
    if words[0] in _INTERROGATIVE or _QUESTION_HEADS.match(folded) or inverted:
        return True
    # Spoken French asks at the end ("tu pars quand", "on mange quoi ce soir", "c'est où déjà").
    while len(words) > 1 and words[-1] in _TRAILING:
        words.pop()
    return any(w in _ASKING_ANYWHERE for w in words) or words[-1] in _ASKING_LAST


def classify(text: str) -> Verdict:
    """Whether `text` (a message addressed to Souvenir) states something durable worth a memory."""
    stripped = text.strip()
    folded = _SOFT_HEAD.sub("", fold(stripped))
    words = words_of(folded)
    if len(words) < 3 or len(stripped) < 12:
        return Verdict(False, "short")
    if is_question(stripped):
        return Verdict(False, "question")
    if words[0] in _REQUEST_HEADS or _REQUEST_PHRASES.match(folded):
        return Verdict(False, "request")
    if sum(w in _SOCIAL for w in words) >= 0.7 * len(words):
        return Verdict(False, "social")
    if _ABOUT_BOT.match(folded):
        return Verdict(False, "about the answer")
    dated = bool(_DATE.search(folded))
    if _PASSING.search(folded) and not dated:
        return Verdict(False, "passing state")
    subject = (
        any(w in _FIRST_PERSON or w.startswith(("j'", "m'")) for w in words)
        or any(w.startswith(("l'", "d'")) and w[2:] in _PEOPLE | _THINGS for w in words)
        or any(w in _PEOPLE or w in _THINGS for w in words)
        or bool(_NAME.search(stripped))
        or _first_name(stripped)
    )
    marker = bool(_MARKERS.search(folded))
    if _STRONG.search(folded):
        return Verdict(True, "durable marker")
    if subject and (marker or dated):
        return Verdict(True, "dated statement" if dated else "statement")
    if dated and marker:
        return Verdict(True, "dated plan")
    return Verdict(False, "no durable subject")
