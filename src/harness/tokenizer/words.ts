// A pool of common English words used to build synthetic prompts of exact token length, and as
// part of the corpus the default fixture tokenizer was trained on. Written for this project.
export const WORD_POOL: readonly string[] = `
the of and to in is was that for it as with be on not he by are this at from his but have they
an which one you were her all she there would their we him been has when who will more no if out
so said what up its about into than them can only other new some could time these two may then do
first any my now such like our over man me even most made after also did many before must through
back years where much your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being under never day
same another know while last might us great old year off come since against go came right used take
three states himself few house use during without again place american around however home small
found thought went say part once general high upon school every does got united left number course
war until always away something fact though water less public put think almost hand enough far took
head yet government system better set told nothing night end why called did eyes find going look
asked later knew point next program city business give group toward young days let room president
side social given present several order national possible rather second face per among form
important often things looked early white case john become large big need four within felt along
children saw best church ever least power development light thing seemed family interest want
members mind country area others done turned although open god service certain kind problem began
different door thus help sense means whole matter perhaps itself york times law human line above
name example action company hands local show whether five history gave today either act feet across
taken past quite anything seen having death week experience body word half really field am car
words already themselves information tell together college shall money period held keep sure
probably free seems real behind cannot miss political air question making office brought whose
special heard major problems ago became federal moment study available known result street economic
boy position reason change south board individual job society areas west close turn love community
true court force full seem am front
`
  .split(/\s+/)
  .filter((word, index, all) => word.length > 0 && all.indexOf(word) === index);
