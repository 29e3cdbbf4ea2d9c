/**
 * Top-level domains that make a bare dotted word in free text count as a domain name. The
 * list is deliberately partial: every country code (IANA root zone), the original generic
 * ones, new generic ones common in mail and threat reports, and names used inside private
 * networks. A name under any other TLD is still found when written in a URL or an address.
 */

const COUNTRY_CODES =
  'ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br ' +
  'bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do ' +
  'dz ec ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt ' +
  'gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp ' +
  'kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms ' +
  'mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ' +
  'ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx ' +
  'sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn ' +
  'vu wf ws ye yt za zm zw';

const GENERIC =
  'com net org edu gov mil int arpa info biz name pro aero asia cat coop jobs mobi museum tel ' +
  'travel post app dev page cloud online site website shop store tech top xyz icu club live ' +
  'link click space host email zone one vip win bid loan work party review stream download ' +
  'racing date faith men trade science support services solutions network systems digital ' +
  'agency company global world today life group media center finance bank money blog news ' +
  'buzz rest fit bond cfd sbs quest cyou beauty monster lol mom ltd inc llc security';

// RFC 6761 / RFC 8375 special-use and common private suffixes seen in internal logs.
const PRIVATE = 'local lan internal corp home localdomain intranet onion example';

/** TLDs accepted for a bare name in text, lower case. */
export const KNOWN_TLDS: ReadonlySet<string> = new Set(
  `${COUNTRY_CODES} ${GENERIC} ${PRIVATE}`.split(' '),
);

/**
 * Known TLDs that are also common file extensions (`README.md`, `install.sh`, `logo.ai`,
 * `Makefile.in`, `main.tf`): a bare name under one of them is taken for a file name unless it
 * has at least three labels and a label of two or more characters before the TLD.
 */
export const FILE_LIKE_TLDS: ReadonlySet<string> = new Set(
  'ac ai am app bz cc cf gs in la md mk ml mo pl pm pro ps py rs sc sh so st tf'.split(' '),
);
